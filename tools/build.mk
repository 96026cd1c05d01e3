# run / iso / debug / deps targets
