"""Knowledge: loaders, chunking, embeddings, vector and lexical stores, hybrid retrieval.

Plain data in, plain data out; never imports `app` or `agents`. One organisation per store
handle: a retriever built for one organisation cannot be asked for another's passages.
"""
