import 'lru-cache';
