// yi-bench: release-mode benchmark driver (being built).
print("yi-bench")
