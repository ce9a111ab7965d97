// YiPipeline: see README.md "Architecture". (module being built)
