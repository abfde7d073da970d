from convdiag.cli import main

# Guarded: the API's inline diagnosis processes are spawned, and a spawned child imports the
# parent's main module (this one, under `python -m convdiag serve`) before it does anything.
if __name__ == "__main__":
    main()
