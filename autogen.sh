#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Regenerate the build system: configure, Makefile.in, build-aux/, m4/.
set -e
cd "$(dirname "$0")"
mkdir -p build-aux m4
autoreconf -fi
