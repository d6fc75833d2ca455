#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H

// FCGX_FPrintF is variadic and is not wrapped: Swift builds the text and writes it with FCGX_PutStr.
#include <fcgiapp.h>

#endif
