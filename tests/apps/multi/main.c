/* An application of two files (tests/qemu/test_apps.py builds it as a
 * directory and as a list of files). */
#include <stdio.h>
#include "helper.h"

int main(int argc, char **argv)
{
	printf("multi: %s, %d arguments\n", helper_greeting(), argc - 1);
	return 0;
}
