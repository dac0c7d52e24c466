// CTerminal: the process's terminal guard — SIGINT/SIGTERM/SIGHUP as a flag the event loop reads, and on a
// crash the saved terminal settings put back before the previous handler runs. A C target of its own: its
// state (the flag, the saved termios, the previous handlers) must exist once in the process, which static
// storage in an imported header does not give (Swift emits a copy into every object file that inlines it).
#ifndef POSESCOPE_CTERMINAL_H
#define POSESCOPE_CTERMINAL_H

/// Saves the terminal settings of standard input and installs: SIGINT/SIGTERM/SIGHUP → a flag
/// (`posescope_take_signal`); SIGSEGV/SIGBUS/SIGILL/SIGTRAP/SIGABRT/SIGFPE → restore the terminal, then
/// the handler that was there before. Call before starting curses.
void posescope_install_signal_handlers(void);

/// The quit signal caught since the last call (0 for none), cleared.
int posescope_take_signal(void);

/// Default handlers for the quit signals again (before re-raising a caught one to exit with it).
void posescope_restore_signal_handlers(void);

#endif
