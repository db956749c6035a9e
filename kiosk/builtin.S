/*
 * builtin.S - the default routine file, embedded in the program.
 *
 * assets/kiosk.conf is the one source: it is installed as the commented
 * default config, printed by --print-config, and run when no routine file
 * exists. .incbin keeps it byte for byte; config_builtin() hands it out.
 */
	.section .rodata
	.global kiosk_builtin_conf
	.global kiosk_builtin_conf_end
	.balign 16
kiosk_builtin_conf:
	.incbin "assets/kiosk.conf"
kiosk_builtin_conf_end:
	.byte 0
	.section .note.GNU-stack,"",%progbits
