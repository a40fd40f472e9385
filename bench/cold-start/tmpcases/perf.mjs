typeof performance.now;
