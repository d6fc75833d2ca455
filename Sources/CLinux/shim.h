#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H

// Linux interfaces that Swift's Glibc module does not import (sys/epoll.h is Linux-only), for
// the FastCGI server, as NIO's CNIOLinux brings them in for SwiftNIO (epoll, and the eventfd that
// tells workers connections are queued); and glibc's malloc.h, for the responder's arena limit
// (mallopt).
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <malloc.h>

#endif
