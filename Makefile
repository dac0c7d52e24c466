# PoseScope: the two commands of the README.
#   make demo   set up this machine, build (release) and run PoseScope on the sample media
#   make test   set up this machine and run the test suite
.PHONY: demo test build setup lint bench

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
