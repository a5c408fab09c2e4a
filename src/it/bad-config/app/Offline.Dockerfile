FROM e2e-it-no-such-base:1
COPY version.txt /
