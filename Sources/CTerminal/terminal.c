// CTerminal: the terminal guard's state and signal handlers (see CTerminal.h).
#define _POSIX_C_SOURCE 200809L
#include "CTerminal.h"

#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t caught = 0;
static struct termios saved;
static volatile sig_atomic_t saved_valid = 0;
/* The handlers that were installed before ours (e.g. the Swift runtime's backtracer), per signal. */
static struct sigaction previous[65];

static void flag_signal(int sig) { caught = sig; }

/* Last resort on a crash: put the terminal back (tcsetattr and write are async-signal-safe), then hand
   the signal to the handler that was there before (so a backtrace still prints): a fault re-executes the
   faulting instruction under it, a sent signal is raised again; either way the process ends. */
static void crash_signal(int sig, siginfo_t *info, void *context) {
  static const char reset[] = "\033[?1002l\033[?1006l\033[?1000l\033[0m\033[?25h\033[?1049l\r\n";
  (void)context;
  if (saved_valid) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  ssize_t ignored = write(STDOUT_FILENO, reset, sizeof reset - 1);
  (void)ignored;
  if (sig > 0 && sig < 65) {
    sigaction(sig, &previous[sig], NULL);
  } else {
    signal(sig, SIG_DFL);
  }
  if (info == NULL || info->si_code <= 0 || sig == SIGABRT) {
    /* Sent, not a fault: let the previous handler see it (this handler does not block the signal,
       SA_NODEFER), then make sure the process ends even if that handler returns. */
    raise(sig);
    signal(sig, SIG_DFL);
    raise(sig);
  }
}

void posescope_install_signal_handlers(void) {
  struct sigaction sa;
  int crashes[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
  saved_valid = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = flag_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_sigaction = crash_signal;
  sa.sa_flags = (int)(SA_SIGINFO | SA_RESETHAND | SA_NODEFER);
  for (unsigned i = 0; i < sizeof crashes / sizeof crashes[0]; i++) {
    sigaction(crashes[i], &sa, &previous[crashes[i]]);
  }
}

int posescope_take_signal(void) {
  int s = caught;
  caught = 0;
  return s;
}

void posescope_restore_signal_handlers(void) {
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
}
