// CNCurses: ncursesw with wide characters, and accessors for its macros and mutable globals.
#ifndef POSESCOPE_CNCURSES_SHIM_H
#define POSESCOPE_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncurses.h>

static inline WINDOW *posescope_stdscr(void) { return stdscr; }
static inline int posescope_lines(void) { return LINES; }
static inline int posescope_cols(void) { return COLS; }
static inline int posescope_colors(void) { return COLORS; }
static inline int posescope_color_pairs(void) { return COLOR_PAIRS; }
static inline int posescope_color_pair(int n) { return COLOR_PAIR(n); }
static inline void posescope_getmaxyx(WINDOW *w, int *y, int *x) { int yy, xx; getmaxyx(w, yy, xx); *y = yy; *x = xx; }
#endif
