from convdiag.cli import main

main()
