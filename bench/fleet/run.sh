#!/bin/sh
# The fleet section of make bench: propagation.sh (see there).
exec sh "$(dirname "$0")/propagation.sh" "$@"
