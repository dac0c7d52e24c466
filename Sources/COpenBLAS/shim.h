// COpenBLAS: the CBLAS interface of OpenBLAS and its thread control.
#ifndef POSESCOPE_COPENBLAS_SHIM_H
#define POSESCOPE_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
