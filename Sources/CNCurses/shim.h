// CNCurses: ncursesw with wide characters, and accessors for its macros and mutable globals.
#ifndef POSESCOPE_CNCURSES_SHIM_H
#define POSESCOPE_CNCURSES_SHIM_H
/* The wide-character API (cchar_t, setcchar, mvadd_wch, wget_wch) before <ncurses.h>; these, not
   pkg-config's cflags, configure it (Package.swift uses no pkgConfig for this module). */
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
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
/* ---- Input (the viewer's event loop). ---- */

/* wget_wch on stdscr: returns OK (a character in *out), KEY_CODE_YES (a key code in *out) or ERR. */
static inline int posescope_get_wch(unsigned int *out) {
  wint_t w = 0;
  int r = wget_wch(stdscr, &w);
  *out = (unsigned int)w;
  return r;
}
static inline int posescope_key_code_yes(void) { return KEY_CODE_YES; }
static inline int posescope_key_up(void) { return KEY_UP; }
static inline int posescope_key_down(void) { return KEY_DOWN; }
static inline int posescope_key_left(void) { return KEY_LEFT; }
static inline int posescope_key_right(void) { return KEY_RIGHT; }
static inline int posescope_key_ppage(void) { return KEY_PPAGE; }
static inline int posescope_key_npage(void) { return KEY_NPAGE; }
static inline int posescope_key_home(void) { return KEY_HOME; }
static inline int posescope_key_end(void) { return KEY_END; }
static inline int posescope_key_enter(void) { return KEY_ENTER; }
static inline int posescope_key_btab(void) { return KEY_BTAB; }
static inline int posescope_key_backspace(void) { return KEY_BACKSPACE; }
static inline int posescope_key_dc(void) { return KEY_DC; }
static inline int posescope_key_mouse(void) { return KEY_MOUSE; }
static inline int posescope_key_f(int n) { return KEY_F(n); }
/* Blocking time of the next wget_wch in milliseconds (-1: wait forever, 0: never block). */
static inline void posescope_set_timeout(int ms) { wtimeout(stdscr, ms); }
/* How long ncurses waits after ESC for the rest of an escape sequence. */
static inline void posescope_set_escdelay(int ms) { set_escdelay(ms); }
/* The next refresh repaints the whole terminal (Ctrl-L). */
static inline void posescope_invalidate(void) { clearok(curscr, TRUE); }
/* True when the locale's character set (after setlocale) is UTF-8. */
static inline int posescope_codeset_is_utf8(void) {
  const char *c = nl_langinfo(CODESET);
  return c != NULL && (strcmp(c, "UTF-8") == 0 || strcmp(c, "utf8") == 0 || strcmp(c, "UTF8") == 0);
}

/* ---- Mouse. ---- */

/* Asks for all button events and motion reports; returns whether any mouse events will be reported. */
static inline int posescope_enable_mouse(void) {
  mmask_t old = 0;
  mmask_t got = mousemask(ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION, &old);
  mouseinterval(0);
  return got != 0;
}
static inline void posescope_disable_mouse(void) { mousemask(0, NULL); }
/* Writes a control sequence straight to the terminal (after curses' own output is flushed). */
static inline void posescope_emit(const char *s) {
  fflush(stdout);
  fputs(s, stdout);
  fflush(stdout);
}
/* The pending mouse event after KEY_MOUSE: 1 and its cell and button state, or 0. */
static inline int posescope_get_mouse(int *x, int *y, unsigned long *state) {
  MEVENT e;
  if (getmouse(&e) != OK) return 0;
  *x = e.x;
  *y = e.y;
  *state = (unsigned long)e.bstate;
  return 1;
}
static inline unsigned long posescope_button1_pressed(void) { return (unsigned long)BUTTON1_PRESSED; }
static inline unsigned long posescope_button1_released(void) { return (unsigned long)BUTTON1_RELEASED; }
static inline unsigned long posescope_button1_clicked(void) { return (unsigned long)BUTTON1_CLICKED; }
static inline unsigned long posescope_button4_pressed(void) { return (unsigned long)BUTTON4_PRESSED; }
static inline unsigned long posescope_button5_pressed(void) {
#ifdef BUTTON5_PRESSED
  return (unsigned long)BUTTON5_PRESSED;
#else
  return 0;
#endif
}
static inline unsigned long posescope_report_position(void) { return (unsigned long)REPORT_MOUSE_POSITION; }

#endif
