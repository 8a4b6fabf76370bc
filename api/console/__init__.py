"""The service-center console (市中小企业服务中心): staff-only pages under ``/console``."""
