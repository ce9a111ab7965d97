import YiPrepCLI

YiPrep.runAndExit()
