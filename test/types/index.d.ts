// tsd checks the files beside this one against the built packages, resolved through their exports.
export {}
