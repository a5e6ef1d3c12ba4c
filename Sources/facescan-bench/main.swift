import FaceScan

runModelBenchmarks(modelsDirectory: ModelStore().directory)
runDescriptorBenchmarks(modelsDirectory: ModelStore().directory)
