#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H

/* Wide-character curses: these must be defined before curses.h is read. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <ncursesw/curses.h>
#include <locale.h>
#include <wchar.h>
#include <stdio.h>

/* Swift cannot import macros with arguments, nor touch C globals under strict
   concurrency. These helpers are the whole surface TerminalCurses needs. */

static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int cn_lines(void) { return LINES; }
static inline int cn_cols(void) { return COLS; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }
static inline void cn_getmaxyx(WINDOW *w, int *y, int *x) { int yy, xx; getmaxyx(w, yy, xx); *y = yy; *x = xx; }

static inline attr_t cn_a_normal(void) { return A_NORMAL; }
static inline attr_t cn_a_bold(void) { return A_BOLD; }
static inline attr_t cn_a_dim(void) { return A_DIM; }
static inline attr_t cn_a_reverse(void) { return A_REVERSE; }
static inline attr_t cn_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cn_a_standout(void) { return A_STANDOUT; }
static inline attr_t cn_color_pair(int n) { return COLOR_PAIR(n); }

static inline int cn_err(void) { return ERR; }
static inline int cn_ok(void) { return OK; }
static inline int cn_key_resize(void) { return KEY_RESIZE; }
static inline int cn_key_code_yes(void) { return KEY_CODE_YES; }

static inline FILE *cn_stdin(void) { return stdin; }
static inline FILE *cn_stdout(void) { return stdout; }

/* glibc declares wcwidth only under _XOPEN_SOURCE, which the Glibc module may have been
   built without; declare it here (the same prototype) so Swift always sees it. */
extern int wcwidth(wchar_t c);
static inline int cn_wcwidth(wchar_t c) { return wcwidth(c); }

/* setcchar with one spacing character plus up to 4 combining marks. */
static inline int cn_setcchar(cchar_t *cell, const wchar_t *wch, attr_t attrs, short pair) {
    return setcchar(cell, wch, attrs, pair, NULL);
}

/* The mouse (opt-in): button 1 presses and the wheel, reported at once (no click delay). curses
   turns reporting on and off itself (endwin, Ctrl-Z, exit), in the terminal's own protocol (SGR
   1006 where terminfo says XM, X10 otherwise). */
static inline void cn_mouse_on(void) {
    mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
}
static inline int cn_key_mouse(void) { return KEY_MOUSE; }
/* The last mouse event: 1 click, 4 wheel up, 5 wheel down, 0 anything else; -1 none. */
static inline int cn_get_mouse(int *x, int *y) {
    MEVENT e;
    if (getmouse(&e) != OK) return -1;
    *x = e.x; *y = e.y;
    if (e.bstate & BUTTON1_PRESSED) return 1;
    if (e.bstate & BUTTON4_PRESSED) return 4;
    if (e.bstate & BUTTON5_PRESSED) return 5;
    return 0;
}

/* What terminfo says of a terminal type, without starting curses (realtime-dash info): the
   number of colours, or -1 when the type is unknown. term.h is not included: its macros name
   every capability (lines, columns, …) and would shadow ordinary identifiers. */
extern int setupterm(const char *term, int filedes, int *errret);
extern int tigetnum(const char *capname);
static inline int cn_probe_colors(const char *term) {
    int err = 0;
    if (setupterm(term, 1, &err) != 0 || err != 1) return -1;
    return tigetnum("colors");
}

#endif
