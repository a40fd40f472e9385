import { tracingChannel, channel } from 'node:diagnostics_channel';
channel('a:b'); tracingChannel('a');
