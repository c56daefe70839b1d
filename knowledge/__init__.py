"""The retrieval store: brand folders, embeddings and Chroma. Only this package imports chromadb."""
