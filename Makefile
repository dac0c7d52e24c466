# PoseScope: the two commands of the README.
#   make demo   set up this machine, build (release) and open the viewer on the sample media
#   make test   set up this machine and run the test suite
#   make e2e    the viewer's end-to-end test in tmux (release build)
.PHONY: demo test build setup lint bench e2e

setup:
	scripts/setup.sh

build:
	swift build -c release

demo: setup build
	.build/release/posescope

test: setup
	swift test

lint:
	swift format lint --strict -r Sources Tests Package.swift

bench: setup build
	.build/release/posescope bench

e2e: setup build
	tools/e2e/viewer_tmux.sh
