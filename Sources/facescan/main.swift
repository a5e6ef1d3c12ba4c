import FaceScanCLI
import Foundation

exit(FaceScanMain.run(Array(CommandLine.arguments.dropFirst())))
