@preconcurrency import Glibc
import Shared

// Everything testable lives in Shared; this file only hands over the process.
exit(ResponderMain.run())
