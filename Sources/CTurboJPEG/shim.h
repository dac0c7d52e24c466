// CTurboJPEG: the TurboJPEG API (libjpeg-turbo), imported whole.
#ifndef POSESCOPE_CTURBOJPEG_SHIM_H
#define POSESCOPE_CTURBOJPEG_SHIM_H
#include <stddef.h>
#include <turbojpeg.h>
#endif
