/* The second file of tests/apps/multi. */
#include "helper.h"

const char *helper_greeting(void)
{
	return "hello from helper.c";
}
