import FaceScan

runModelBenchmarks(modelsDirectory: ModelStore().directory)
