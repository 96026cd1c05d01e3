/* The application's ELF, embedded by `make APP=` (kernel/app/build.mk
 * defines APP_IMAGE_PATH and APP_IMAGE_NAME; without APP the image is
 * empty and kernel/app/loader.c starts nothing). */
	.section .rodata.app_image, "a"
	.balign 4096
	.globl app_image_start, app_image_end, app_image_name
app_image_start:
#ifdef APP_IMAGE_PATH
	.incbin APP_IMAGE_PATH
#endif
app_image_end:
	.balign 8
app_image_name:
#ifdef APP_IMAGE_NAME
	.asciz APP_IMAGE_NAME
#else
	.asciz ""
#endif

	.section .note.GNU-stack, "", @progbits
