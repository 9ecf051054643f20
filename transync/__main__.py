from transync.cli import main

main()
