# PoseScope: the two commands of the README.
#   make demo   set up this machine, build (release) and open the viewer on the sample media
#   make test   set up this machine and run the test suite
#   make e2e    the viewer's end-to-end test in tmux (release build)
#   make install PREFIX=~/.local   the binary, the shipped lifters and shell completions under PREFIX
.PHONY: demo test build setup lint bench e2e install

PREFIX ?= /usr/local

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

install: build
	install -d "$(PREFIX)/bin" "$(PREFIX)/share/posescope/lifter" \
		"$(PREFIX)/share/bash-completion/completions" "$(PREFIX)/share/zsh/site-functions" \
		"$(PREFIX)/share/fish/vendor_completions.d"
	install -m 755 .build/release/posescope "$(PREFIX)/bin/posescope"
	install -m 644 assets/lifter/*.safetensors "$(PREFIX)/share/posescope/lifter/"
	.build/release/posescope --generate-completion-script bash > "$(PREFIX)/share/bash-completion/completions/posescope"
	.build/release/posescope --generate-completion-script zsh > "$(PREFIX)/share/zsh/site-functions/_posescope"
	.build/release/posescope --generate-completion-script fish > "$(PREFIX)/share/fish/vendor_completions.d/posescope.fish"
	@echo "installed $(PREFIX)/bin/posescope (put $(PREFIX)/bin on PATH)"
