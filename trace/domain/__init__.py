"""The core: plain Python with no Flask, SQLAlchemy or web3 imports."""
