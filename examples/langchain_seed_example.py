"""LangChain's GLiNERLinkExtractor example, run with doclinks: only the imports change.

The seed, from the docs of ``langchain_community.graph_vectorstores.extractors.GLiNERLinkExtractor``::

    from langchain_community.document_loaders import TextLoader
    from langchain_community.graph_vectorstores.extractors import GLiNERLinkExtractor
    from langchain_community.graph_vectorstores.links import add_links
    from langchain_text_splitters import CharacterTextSplitter

Run from the repository root (needs ``pip install 'doclinks[langchain]'``; LangChain's ``TextLoader``
from ``langchain-community`` is used when installed)::

    python examples/langchain_seed_example.py [path/to/state_of_the_union.txt] [model]

It prints ``documents[0].metadata``: ``{'source': ..., 'links': [Link(kind='entity:Person',
direction='bidir', tag='...'), ...]}``.
"""

import sys
import warnings
from pathlib import Path

from langchain_text_splitters import CharacterTextSplitter

try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # langchain-community is being sunset
        from langchain_community.document_loaders import TextLoader
except ImportError:  # without langchain-community: the same loader in a few lines

    class TextLoader:
        def __init__(self, file_path):
            self.file_path = file_path

        def load(self):
            from langchain_core.documents import Document

            with open(self.file_path, encoding="utf-8") as f:
                return [Document(page_content=f.read(), metadata={"source": str(self.file_path)})]


from doclinks.links import GLiNERLinkExtractor, add_links

DEFAULT_TEXT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "texts" / "state_of_the_union.txt"


def main(path=DEFAULT_TEXT, model=None):
    """The seed example as written, with doclinks' classes; `model` None is doclinks' default model."""
    loader = TextLoader(str(path))
    raw_documents = loader.load()

    text_splitter = CharacterTextSplitter(chunk_size=1000, chunk_overlap=0)
    documents = text_splitter.split_documents(raw_documents)

    ner_extractor = GLiNERLinkExtractor(["Person", "Topic"], model=model)
    for document in documents:
        links = ner_extractor.extract_one(document)
        add_links(document, links)

    print(documents[0].metadata)
    return documents


if __name__ == "__main__":
    main(*sys.argv[1:3])
