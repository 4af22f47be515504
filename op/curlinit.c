/* libcurl's global state, once (curlinit.h). */
#include <pthread.h>

#include <curl/curl.h>

#include "op/curlinit.h"

static pthread_once_t	 curl_once = PTHREAD_ONCE_INIT;
static int		 curl_ok;

static void
curl_init_once(void)
{
	curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

int
curlinit_ready(void)
{
	pthread_once(&curl_once, curl_init_once);
	return curl_ok;
}
