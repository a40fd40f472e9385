#!/usr/bin/env node
// The command's entry point lives in dist/ (built from src/cli.ts). This file exists before any build, so
// installing the workspace can link the command without a warning.
import '../dist/cli.js';
