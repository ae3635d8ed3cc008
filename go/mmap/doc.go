package mmap
