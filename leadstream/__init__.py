"""leadstream"""
