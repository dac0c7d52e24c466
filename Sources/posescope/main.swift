// posescope: the command-line entry point (estimate, bench, models, view).
import ArgumentParser
print("posescope")
