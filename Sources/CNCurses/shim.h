// CNCurses: ncursesw with wide characters, and accessors for its macros and mutable globals.
#ifndef POSESCOPE_CNCURSES_SHIM_H
#define POSESCOPE_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <ncurses.h>

static inline WINDOW *posescope_stdscr(void) { return stdscr; }
static inline int posescope_lines(void) { return LINES; }
static inline int posescope_cols(void) { return COLS; }
static inline int posescope_colors(void) { return COLORS; }
static inline int posescope_color_pairs(void) { return COLOR_PAIRS; }
static inline int posescope_color_pair(int n) { return COLOR_PAIR(n); }
static inline void posescope_getmaxyx(WINDOW *w, int *y, int *x) { int yy, xx; getmaxyx(w, yy, xx); *y = yy; *x = xx; }

/* setlocale(LC_ALL, "") so that ncursesw writes UTF-8 (must run before newterm/initscr). */
static inline void posescope_setlocale_all(void) { setlocale(LC_ALL, ""); }
/* newterm on the process's stdout/stdin; NULL (instead of exiting like initscr) when TERM is unusable. */
static inline SCREEN *posescope_newterm(void) { return newterm(NULL, stdout, stdin); }

/* Attribute bits (macros in ncurses.h). */
static inline unsigned int posescope_attr_normal(void) { return (unsigned int)A_NORMAL; }
static inline unsigned int posescope_attr_bold(void) { return (unsigned int)A_BOLD; }
static inline unsigned int posescope_attr_dim(void) { return (unsigned int)A_DIM; }
static inline unsigned int posescope_attr_reverse(void) { return (unsigned int)A_REVERSE; }
static inline unsigned int posescope_attr_underline(void) { return (unsigned int)A_UNDERLINE; }

/* Key codes and status values (macros in ncurses.h). */
static inline int posescope_key_resize(void) { return KEY_RESIZE; }
static inline int posescope_err(void) { return ERR; }
static inline int posescope_ok(void) { return OK; }

/* Writes one wide character at (y, x) of stdscr with attributes and an extended colour pair
   (setcchar's opts argument carries the int pair number, ncurses >= 6.1). Returns OK or ERR. */
static inline int posescope_mvadd_cell(int y, int x, int ch, unsigned int attrs, int pair) {
  cchar_t cell;
  wchar_t text[2];
  text[0] = (wchar_t)ch;
  text[1] = 0;
  if (setcchar(&cell, text, (attr_t)attrs, 0, &pair) == ERR) return ERR;
  return mvadd_wch(y, x, &cell);
}
#endif
