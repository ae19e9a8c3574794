from regctl.cli import main

main()
