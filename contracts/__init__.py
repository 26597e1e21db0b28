"""What the stack and its Lambda functions agree on: event names and patterns, as plain constants.

Neither components nor Lambda code: the stack imports these modules, and each function links the one
it uses into its own package (``lambdas/<function>/<name>.py -> ../../contracts/<module>.py``), so its
archive carries a copy it imports relatively.
"""
