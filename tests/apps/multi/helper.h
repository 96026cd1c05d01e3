/* the second file's function (tests/apps/multi/helper.c) */
const char *helper_greeting(void);
