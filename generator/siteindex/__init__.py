"""siteindex"""
