/*
 * fonts.h - which font files the screens are drawn with: one place, read
 * by the painter (screens.c) and by kiosk --check (glyphs.c), so the check
 * judges text against the very fonts that will draw it.
 */
#ifndef KIOSK_FONTS_H
#define KIOSK_FONTS_H

/* Debian's fonts-dejavu-core. */
#define FONTS_DIR     "/usr/share/fonts/truetype/dejavu"
#define FONTS_REGULAR "DejaVuSans.ttf"
#define FONTS_BOLD    "DejaVuSans-Bold.ttf"

#endif
