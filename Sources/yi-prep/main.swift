import YiPrepCLI

YiPrep.main()
