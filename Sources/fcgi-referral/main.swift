import Shared

@preconcurrency import Glibc

// Everything testable lives in Shared; this file only hands over the process.
exit(ResponderMain.run())
