#!/usr/bin/env node
// The installed command. A committed file, so npm can link it before the build has run.
import '../dist/cli.js'
